<task>Summarize the article in one sentence.</task>
