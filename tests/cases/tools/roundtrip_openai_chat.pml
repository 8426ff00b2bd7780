<poml>
  <system-msg>You answer weather questions. Use the tools.</system-msg>
  <human-msg>What is the weather in {{ city }}?</human-msg>
  <tool-request id="call_1" name="get_weather" parameters="{{ {'location': city, 'unit': 'celsius'} }}"/>
  <tool-response id="call_1" name="get_weather">Sunny, <b>21C</b></tool-response>
  <ai-msg>It is sunny and 21C in {{ city }}.</ai-msg>
  <human-msg>And tomorrow?</human-msg>

  <tool-definition name="get_weather" description="The current weather in a city.">
    {
      "type": "object",
      "properties": {
        "location": {"type": "string", "description": "A city name"},
        "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}
      },
      "required": ["location"]
    }
  </tool-definition>
  <tool name="get_forecast" description="The forecast for a day." parser="eval">
    z.object({
      location: z.string().describe("A city name"),
      days: z.number().int().min(1).max(7),
    })
  </tool>
  <runtime temperature="0.2" max-output-tokens="300" stop='["END"]' stream="false"/>
</poml>
