"""coopbot: school–enterprise cooperation, carried inside Slack."""
