<poml>
  <folder src="dat"/>
</poml>
