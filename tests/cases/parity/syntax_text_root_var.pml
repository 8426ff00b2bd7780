<poml syntax="text">Hi {{ name }}, welcome.</poml>
