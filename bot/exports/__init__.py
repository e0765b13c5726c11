"""Exports (`coopbot export`): each kind is a header and a row generator; one CSV and one XLSX writer
consume them, so an export of any size streams in constant memory. See `bot.exports.kinds`."""
