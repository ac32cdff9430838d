using System.Collections.Concurrent;
using IoTOwnerBot.Jobs;
using Microsoft.Extensions.Options;

namespace IoTOwnerBot.Outlook;

/// <summary>
/// Graph serves at most four concurrent requests per mailbox and app (more get 429 MailboxConcurrency): every call
/// on a sender mailbox waits for one of its slots, this instance's share of <see cref="OutlookOptions.MailboxConcurrency"/>.
/// </summary>
public sealed class MailboxGate(IOptions<OutlookOptions> options, IOptions<JobOptions> jobs) : IDisposable
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _mailboxes = new(StringComparer.OrdinalIgnoreCase);
    private readonly int _slots = jobs.Value.ShareOf(options.Value.MailboxConcurrency);

    public async Task<IDisposable> EnterAsync(string mailbox, CancellationToken ct)
    {
        var gate = _mailboxes.GetOrAdd(mailbox, _ => new SemaphoreSlim(_slots, _slots));
        await gate.WaitAsync(ct);
        return new Slot(gate);
    }

    public void Dispose()
    {
        foreach (var gate in _mailboxes.Values) gate.Dispose();
    }

    internal sealed class Slot(SemaphoreSlim gate) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) gate.Release();
        }
    }
}
