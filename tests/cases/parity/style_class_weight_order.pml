<poml>
  <list className="a b"><item>later rule wins on a tie</item></list>
</poml>
