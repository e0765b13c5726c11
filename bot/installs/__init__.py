"""OAuth mode: the installations of coopbot in several workspaces, their tokens, and which one a message uses."""
