using IoTOwnerBot.Emulator.Hosting;
using IoTOwnerBot.Emulator.Limits;
using IoTOwnerBot.Emulator.Tenant;

namespace IoTOwnerBot.Emulator.Outlook;

/// <summary>
/// Exchange Online as the bot's mail sees it: every mailbox that sent or received (the tenant's and external ones),
/// with its inbox, sent items and Outbox, and each sender's state against Exchange's sending limits (30 messages a
/// minute, recipients a day, recipients a message, from <see cref="ProviderThrottle.Limits"/>). Thread-safe; getters
/// return snapshots.
/// </summary>
public sealed class OutlookWorld : IResettable
{
    private readonly Lock _gate = new();
    private readonly EmulatorContext _context;
    private readonly TenantWorld _tenant;
    private readonly ProviderThrottle _throttle;
    private readonly Dictionary<string, Mailbox> _mailboxes = new(StringComparer.OrdinalIgnoreCase);

    internal OutlookWorld(EmulatorContext context, TenantWorld tenant, ProviderThrottle throttle)
    {
        _context = context;
        _tenant = tenant;
        _throttle = throttle;
    }

    /// <summary>Back to no mail: every mailbox empty, nothing sent.</summary>
    public void Reset()
    {
        lock (_gate)
        {
            _mailboxes.Clear();
        }
    }

    /// <summary>Messages in a mailbox's inbox, oldest first (newest last).</summary>
    public IReadOnlyList<MailMessage> MessagesFor(string address) => GetMailbox(address).Messages;

    public MailboxView GetMailbox(string address)
    {
        lock (_gate)
        {
            var now = _context.Time.GetUtcNow();
            ReleaseOutboxesUnlocked(now);
            return _mailboxes.GetValueOrDefault(address) is { } m
                ? new MailboxView(m.Address, m.IsExternal, [.. m.Inbox], [.. m.SentItems]) { Outbox = [.. m.Outbox.Select(o => o.Message)], Sending = SendingUnlocked(m, now) }
                : new MailboxView(address, !_tenant.IsTenantAddress(address), [], []);
        }
    }

    public IReadOnlyList<MailboxSummary> Mailboxes
    {
        get
        {
            lock (_gate)
            {
                var now = _context.Time.GetUtcNow();
                ReleaseOutboxesUnlocked(now);
                return [.. _mailboxes.Values.Select(m => new MailboxSummary(m.Address, m.IsExternal, m.Inbox.Count, m.SentItems.Count) { OutboxCount = m.Outbox.Count, Sending = SendingUnlocked(m, now) })];
            }
        }
    }

    /// <summary>What each mailbox that has sent mail has left of Exchange's sending limits.</summary>
    public IReadOnlyList<SendingBudget> SendingBudgets
    {
        get
        {
            lock (_gate)
            {
                var now = _context.Time.GetUtcNow();
                ReleaseOutboxesUnlocked(now);
                return [.. _mailboxes.Values.Where(m => m.Submitted > 0).Select(m => SendingUnlocked(m, now)!)];
            }
        }
    }

    /// <summary>
    /// Delivers a message from <paramref name="sender"/> to every recipient, all or nothing. Recipients resolve by
    /// their SMTP addresses (mail and proxy addresses); a tenant address without a mailbox fails like Exchange would; other domains go to external mailboxes.
    /// </summary>
    internal Outcome<MailMessage> Deliver(DirectoryUser sender, MailMessage message, IReadOnlyList<MailAddress> bcc, bool saveToSentItems)
    {
        var recipientCount = message.To.Count + message.Cc.Count + bcc.Count;
        var exchange = _throttle.Limits.Exchange;
        if (exchange.Enabled && recipientCount > exchange.RecipientsPerMessage)
        {
            return Outcome<MailMessage>.Fail(StatusCodes.Status400BadRequest, "ErrorExceededMaxRecipientLimit",
                $"The message has {recipientCount} recipients; a message may have at most {exchange.RecipientsPerMessage}.");
        }
        var targets = new List<(string Address, bool External)>();
        foreach (var recipient in message.To.Concat(message.Cc).Concat(bcc))
        {
            var user = _tenant.ReceiverOf(recipient.Address);
            if (user is { Mail: { } mail })
            {
                targets.Add((mail, false));
            }
            else if (user is not null || _tenant.IsTenantAddress(recipient.Address))
            {
                return Outcome<MailMessage>.Fail(StatusCodes.Status400BadRequest, "ErrorInvalidRecipients",
                    $"At least one recipient isn't valid., Recipient '{recipient.Address}' isn't resolved. All recipients must be resolved before a message can be submitted.");
            }
            else
            {
                targets.Add((recipient.Address, true));
            }
        }

        lock (_gate)
        {
            var now = _context.Time.GetUtcNow();
            ReleaseOutboxesUnlocked(now);
            var outbox = MailboxOf(sender.Mail!, external: false);
            var releaseAt = now;
            if (exchange.Enabled)
            {
                // The recipient budget is spent at submission; once it is gone the mailbox sends nothing at all.
                if (!outbox.Recipients.TryAdd(now, recipientCount, exchange.RecipientsPerDay))
                {
                    outbox.Refused++;
                    var again = outbox.Recipients.FitsAt(now, Math.Min(recipientCount, exchange.RecipientsPerDay), exchange.RecipientsPerDay);
                    return Outcome<MailMessage>.Fail(StatusCodes.Status403Forbidden, "ErrorSubmissionQuotaExceeded",
                        $"Cannot submit the message: the mailbox has sent to {outbox.Recipients.Used(now)} recipients in the past 24 hours and its limit is {exchange.RecipientsPerDay} " +
                        $"(554 5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException). It can send again at {again.UtcDateTime:O}.");
                }
                releaseAt = outbox.NextRelease(now, exchange.MessagesPerMinute);
            }
            outbox.Submitted++;
            var stamped = message with { ReceivedAt = releaseAt.UtcDateTime };
            var pending = new PendingMail(releaseAt, stamped, [.. targets.DistinctBy(t => t.Address, StringComparer.OrdinalIgnoreCase)], saveToSentItems);
            if (releaseAt <= now)
            {
                ReleaseUnlocked(outbox, pending);
            }
            else
            {
                // Over the message rate: carried over to the following minutes, waiting in the Outbox.
                outbox.Outbox.Add(pending with { Message = stamped with { Id = NewMessageId() } });
            }
            return Outcome<MailMessage>.Ok(stamped, StatusCodes.Status202Accepted);
        }
    }

    internal IReadOnlyList<MailMessage> Folder(string address, MailFolder folder)
    {
        lock (_gate)
        {
            ReleaseOutboxesUnlocked(_context.Time.GetUtcNow());
            return _mailboxes.GetValueOrDefault(address) is not { } m ? [] : folder switch
            {
                MailFolder.SentItems => [.. m.SentItems],
                MailFolder.Outbox => [.. m.Outbox.Select(o => o.Message)],
                _ => [.. m.Inbox],
            };
        }
    }

    // ---------- helpers (call under the lock) ----------

    private void ReleaseOutboxesUnlocked(DateTimeOffset now)
    {
        foreach (var mailbox in _mailboxes.Values)
        {
            while (mailbox.Outbox.Count > 0 && mailbox.Outbox[0].ReleaseAt <= now)
            {
                var pending = mailbox.Outbox[0];
                mailbox.Outbox.RemoveAt(0);
                ReleaseUnlocked(mailbox, pending);
            }
        }
    }

    private void ReleaseUnlocked(Mailbox sender, PendingMail pending)
    {
        foreach (var (address, external) in pending.Targets)
        {
            MailboxOf(address, external).Inbox.Add(pending.Message with { Id = NewMessageId() });
        }
        if (pending.SaveToSentItems)
        {
            sender.SentItems.Add(pending.Message with { Id = NewMessageId() });
        }
    }

    private SendingBudget? SendingUnlocked(Mailbox m, DateTimeOffset now)
    {
        if (m.Submitted == 0 && m.Refused == 0) return null;
        var exchange = _throttle.Limits.Exchange;
        var used = m.Recipients.Used(now);
        return new SendingBudget(m.Address, m.Submitted, m.Refused, m.Outbox.Count, (int)m.SentLastMinute(now), exchange.MessagesPerMinute,
            used, Math.Max(0, exchange.RecipientsPerDay - used), used >= exchange.RecipientsPerDay, m.Outbox.Count > 0 ? m.Outbox[^1].ReleaseAt.UtcDateTime : null);
    }

    private Mailbox MailboxOf(string address, bool external)
    {
        if (!_mailboxes.TryGetValue(address, out var mailbox))
        {
            mailbox = new Mailbox(address, external);
            _mailboxes[address] = mailbox;
        }
        return mailbox;
    }

    private static string NewMessageId() => "AAMkAD" + Convert.ToBase64String(Guid.NewGuid().ToByteArray()).TrimEnd('=').Replace('/', '_').Replace('+', '-');

    private sealed class Mailbox(string address, bool isExternal)
    {
        private readonly List<DateTimeOffset> _releases = [];

        public string Address { get; } = address;
        public bool IsExternal { get; } = isExternal;
        public List<MailMessage> Inbox { get; } = [];
        public List<MailMessage> SentItems { get; } = [];

        /// <summary>Accepted messages over the message rate, in submission order.</summary>
        public List<PendingMail> Outbox { get; } = [];

        /// <summary>Recipients of the messages submitted in the past 24 h.</summary>
        public SlidingWindow Recipients { get; } = new(TimeSpan.FromHours(24));

        public long Submitted { get; set; }
        public long Refused { get; set; }

        /// <summary>
        /// When a message submitted now leaves: at once while fewer than <paramref name="perMinute"/> left in the past
        /// minute, otherwise after the Outbox ahead of it, a minute after the one <paramref name="perMinute"/> places earlier.
        /// </summary>
        public DateTimeOffset NextRelease(DateTimeOffset now, int perMinute)
        {
            _releases.RemoveAll(r => r <= now - TimeSpan.FromMinutes(1));
            var at = now;
            if (_releases.Count >= perMinute && _releases[^perMinute] + TimeSpan.FromMinutes(1) > at) at = _releases[^perMinute] + TimeSpan.FromMinutes(1);
            if (_releases.Count > 0 && _releases[^1] > at) at = _releases[^1];
            _releases.Add(at);
            return at;
        }

        public long SentLastMinute(DateTimeOffset now) => _releases.Count(r => r > now - TimeSpan.FromMinutes(1) && r <= now);
    }

    private sealed record PendingMail(DateTimeOffset ReleaseAt, MailMessage Message, IReadOnlyList<(string Address, bool External)> Targets, bool SaveToSentItems);
}
