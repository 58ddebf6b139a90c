"""audio_analysis"""
