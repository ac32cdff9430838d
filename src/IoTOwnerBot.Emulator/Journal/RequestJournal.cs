using IoTOwnerBot.Emulator.Hosting;

namespace IoTOwnerBot.Emulator.Journal;

/// <summary>
/// Every request the emulator answered (admin calls excluded), in order, with its final status, so tests can assert
/// what the bot sent. Thread-safe; getters return snapshots.
/// </summary>
public sealed class RequestJournal : IResettable
{
    private readonly Lock _gate = new();
    private readonly EmulatorContext _context;
    private readonly List<JournalEntry> _entries = [];
    private long _sequence;

    internal RequestJournal(EmulatorContext context)
    {
        _context = context;
    }

    /// <summary>Requests the emulator answered, oldest first, optionally filtered by path.</summary>
    public IReadOnlyList<JournalEntry> Requests(string? pathContains = null)
    {
        lock (_gate)
        {
            return [.. _entries.Where(j => pathContains is null || j.Path.Contains(pathContains, StringComparison.OrdinalIgnoreCase))];
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _entries.Clear();
        }
    }

    /// <summary>Back to an empty journal (sequence numbers go on).</summary>
    public void Reset() => Clear();

    internal void Record(string method, string path, int status, string? body, string? faultId)
    {
        lock (_gate)
        {
            _entries.Add(new JournalEntry(++_sequence, _context.UtcNow, method, path, status, body, faultId));
        }
    }
}
