"""What coopbot shows in Slack, independent of any workflow: the Block Kit kit, text escaping and cutting,
modal state reading, the declared surface (commands, actions, events) and the app manifest built from it."""
