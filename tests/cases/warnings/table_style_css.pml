<poml>
  <style>
    table.grid { syntax: tsv; writer-options: {"csvHeader": false}; }
    table { max-records: 2; }
  </style>
  <table class="grid" records="{{ grid }}"/>
  <table records="{{ cities }}"/>
</poml>
