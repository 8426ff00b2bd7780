<poml>
  <qa for="f in faqs">{{ f.q }}</qa>
</poml>
