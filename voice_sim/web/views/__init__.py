"""Route families of the web app, one module each (see ``voice_sim.web.app.VIEW_MODULES``)."""
