<poml syntax="text">Plain text   keeps spacing.</poml>
