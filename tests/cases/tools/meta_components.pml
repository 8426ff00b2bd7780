<poml>
  <meta minVersion="0.0.1" components="-table"/>
  <meta components="+table"/>
  <task>Hello {{ name }}.</task>
</poml>
