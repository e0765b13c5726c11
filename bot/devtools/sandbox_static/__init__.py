"""The sandbox page: HTML, CSS and JavaScript served by bot.devtools.sandbox_api (package data)."""
