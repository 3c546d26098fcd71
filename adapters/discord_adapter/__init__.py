"""The Discord adapter: slash commands, persistent buttons, modals and daily posts on discord.py.

Start it with ``dailyq run discord``; print the invite link with ``dailyq discord invite-url``.
The package never computes anything the core knows (scores, picks, times): it translates
Discord interactions into ``bot.commands`` and renders ``bot.cards`` as embeds and buttons.
"""
