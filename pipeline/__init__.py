"""unionforms: the engine (stages, store, CLI). It never names a form kind."""
