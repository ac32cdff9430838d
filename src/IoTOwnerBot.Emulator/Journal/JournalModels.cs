namespace IoTOwnerBot.Emulator.Journal;

/// <summary>
/// One request the emulator answered (admin calls are not journaled). <see cref="RequestBody"/> holds JSON bodies
/// (e.g. the KQL of a Log Analytics query) so tests can assert what the bot sent; token requests are never recorded.
/// </summary>
public sealed record JournalEntry(
    long Sequence,
    DateTime Timestamp,
    string Method,
    string Path,
    int Status,
    string? RequestBody,
    string? FaultId);
