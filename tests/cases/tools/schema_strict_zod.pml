<poml>
  <task>Extract the invoice total and its currency.</task>
  <output-schema>
    z.object({
      total: z.number().describe("The amount due"),
      currency: z.enum(["USD", "EUR"]),
      lines: z.array(z.object({item: z.string(), amount: z.number()})),
    })
  </output-schema>
</poml>
