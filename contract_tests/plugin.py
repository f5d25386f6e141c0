"""The cwmock pytest plugin (registered under `pytest11`): every fixture and option cwmock offers."""
