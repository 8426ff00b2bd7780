<poml>
  <task>Check the expense report.</task>
  <output-schema>{{ report_schema }}</output-schema>
</poml>
