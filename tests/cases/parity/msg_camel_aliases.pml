<poml>
  <SystemMessage>System here.</SystemMessage>
  <HumanMessage>Human here.</HumanMessage>
  <AiMessage>AI here.</AiMessage>
</poml>
