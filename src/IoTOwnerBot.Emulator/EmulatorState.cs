using System.Security.Claims;

using IoTOwnerBot.Emulator.Faults;
using IoTOwnerBot.Emulator.Hosting;
using IoTOwnerBot.Emulator.Journal;
using IoTOwnerBot.Emulator.Samples;
using IoTOwnerBot.Emulator.Sentinel;
using IoTOwnerBot.Emulator.Tenant;

namespace IoTOwnerBot.Emulator;

/// <summary>
/// The emulator's whole in-memory world: incidents with their alerts, entities and comments, the tenant directory,
/// mailboxes, the request journal and fault rules. Every member is thread-safe (one lock; the emulator is not a
/// benchmark target) and returns snapshots, so tests can read it directly while the bot runs.
/// </summary>
public sealed class EmulatorState
{
    private readonly Lock _gate = new();
    private readonly EmulatorContext _context;
    private readonly Dictionary<string, IncidentEntry> _incidents = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<DirectoryUser> _users = [];
    private readonly Dictionary<string, Mailbox> _mailboxes = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<JournalEntry> _journal = [];
    private readonly List<FaultEntry> _faults = [];
    private int _incidentNumber;
    private long _sequence;
    private int _faultId;
    private AccessSettings _access = new();

    internal EmulatorState(SampleCatalog catalog, EmulatorContext context)
    {
        Catalog = catalog;
        _context = context;
        Teams = new Teams.TeamsWorld(context, FindUser, () => Users);
        Limits = new Limits.ProviderThrottle(context.Time);
        Reset();
    }

    public SampleCatalog Catalog { get; }

    /// <summary>Teams: app installations, the bot's 1:1 chats and their messages.</summary>
    public Teams.TeamsWorld Teams { get; }

    /// <summary>The providers' limits in force and their rate state (Exchange's sending state is on the mailboxes).</summary>
    public Limits.ProviderThrottle Limits { get; }

    internal TimeProvider Time => _context.Time;

    /// <summary>Back to the fixture state: no incidents, no mail, no chats or app installs, no faults, empty journal, directory from directory.json, Microsoft's limits with nothing spent.</summary>
    public void Reset()
    {
        lock (_gate)
        {
            _incidents.Clear();
            _mailboxes.Clear();
            _journal.Clear();
            _faults.Clear();
            _users.Clear();
            _users.AddRange(Catalog.Directory.Users);
            _incidentNumber = 0;
            _access = new AccessSettings();
        }
        Teams.Reset();
        Limits.Reset();
    }

    // ---------- Access ----------

    /// <summary>The roles the bot's tokens carry and its role on the workspace (full access unless changed).</summary>
    public AccessSettings Access
    {
        get { lock (_gate) return _access; }
        set { lock (_gate) _access = value ?? new AccessSettings(); }
    }

    // ---------- Incidents ----------

    /// <summary>Raises an incident from a sample, as Sentinel would after Defender for IoT alerted.</summary>
    /// <exception cref="ArgumentException">Unknown sample, owner exposure or an added device without a name.</exception>
    public RaisedIncident RaiseIncident(RaiseIncidentRequest request)
    {
        var outcome = TryRaiseIncident(request);
        return outcome.Succeeded ? outcome.Value! : throw new ArgumentException(outcome.Message, nameof(request));
    }

    internal Outcome<RaisedIncident> TryRaiseIncident(RaiseIncidentRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (Catalog.Find(request.Sample ?? "") is not { } sample)
        {
            return Outcome<RaisedIncident>.Fail(StatusCodes.Status404NotFound, "SampleNotFound",
                $"No sample named '{request.Sample}'. Known: {string.Join(", ", Catalog.Samples.Select(s => s.Name))}.");
        }
        if (!OwnerExposures.TryParse(request.OwnerExposure, out var exposure, out var unknown))
        {
            return Outcome<RaisedIncident>.Fail(StatusCodes.Status400BadRequest, "InvalidOwnerExposure",
                $"Unknown owner exposure '{unknown}'. Use any of: {string.Join(", ", OwnerExposures.Names)}.");
        }
        var devices = sample.Devices.ToList();
        for (var i = 0; i < (request.Devices?.Count ?? 0); i++)
        {
            var change = request.Devices![i];
            if (i < devices.Count)
            {
                devices[i] = devices[i].Apply(change);
            }
            else if (change.DeviceName is null)
            {
                return Outcome<RaisedIncident>.Fail(StatusCodes.Status400BadRequest, "InvalidDevice", $"devices[{i}] adds a device and needs a deviceName.");
            }
            else
            {
                devices.Add(change);
            }
        }

        lock (_gate)
        {
            var entry = IncidentFactory.Build(sample, devices, request.Title, request.Severity, exposure, _context, ++_incidentNumber, NewEtag());
            _incidents[entry.Incident.Name] = entry;
            return Outcome<RaisedIncident>.Ok(new RaisedIncident(entry.Incident, TriggerPayloads.From(entry, _context)), StatusCodes.Status201Created);
        }
    }

    /// <summary>All incidents, oldest first.</summary>
    public IReadOnlyList<Incident> Incidents
    {
        get
        {
            lock (_gate)
            {
                return [.. _incidents.Values.Select(e => e.Incident).OrderBy(i => i.Properties.IncidentNumber)];
            }
        }
    }

    public Incident? FindIncident(string name)
    {
        lock (_gate)
        {
            return _incidents.GetValueOrDefault(name)?.Incident;
        }
    }

    /// <summary>Incident, alerts, all entities (unfiltered) and comments, for tests and the admin API.</summary>
    public IncidentDetails? GetIncidentDetails(string name)
    {
        lock (_gate)
        {
            return _incidents.GetValueOrDefault(name) is { } e
                ? new IncidentDetails(e.Incident, e.SampleName, [.. OwnerExposures.Names.Where((_, i) => e.Exposure.HasFlag((OwnerExposure)(1 << i)))],
                    [.. e.Comments], e.Alerts, e.Entities)
                : null;
        }
    }

    public TriggerPayload? GetTriggerPayload(string name)
    {
        lock (_gate)
        {
            return _incidents.GetValueOrDefault(name) is { } e ? TriggerPayloads.From(e, _context) : null;
        }
    }

    public IReadOnlyList<IncidentComment> CommentsOf(string incidentName)
    {
        lock (_gate)
        {
            return _incidents.GetValueOrDefault(incidentName) is { } e ? [.. e.Comments] : [];
        }
    }

    internal IReadOnlyList<SecurityAlert>? AlertsOf(string incidentName)
    {
        lock (_gate)
        {
            return _incidents.GetValueOrDefault(incidentName)?.Alerts;
        }
    }

    internal IReadOnlyList<EntityResource>? EntitiesOf(string incidentName, bool preview)
    {
        lock (_gate)
        {
            return _incidents.GetValueOrDefault(incidentName) is { } e ? IncidentFactory.ForEntitiesApi(e, preview) : null;
        }
    }

    /// <summary>PUT semantics of Sentinel: etag in the body must match (409 otherwise); no etag = last writer wins.</summary>
    internal Outcome<Incident> WriteIncident(string name, IncidentWriteRequest request)
    {
        lock (_gate)
        {
            var now = _context.UtcNow;
            var entry = _incidents.GetValueOrDefault(name);
            var incidentId = _context.Workspace.IncidentId(name);
            if (entry is not null && request.Etag is not null && !string.Equals(request.Etag, entry.Incident.Etag, StringComparison.Ordinal))
            {
                return Outcome<Incident>.Fail(StatusCodes.Status409Conflict, "Conflict", $"Newer version of resource '{incidentId}' exists. Data was not saved");
            }

            var current = entry?.Incident.Properties ?? NewIncidentProperties(incidentId, now);
            var result = IncidentWrites.Apply(current, request, FindUserUnlocked, now);
            if (!result.Succeeded)
            {
                return Outcome<Incident>.Fail(result.Status, result.Code!, result.Message!);
            }
            if (entry is null)
            {
                // A client may create an incident by PUT; it gets the next number like any other.
                entry = new IncidentEntry
                {
                    Incident = new Incident(incidentId, name, NewEtag(), IncidentFactory.IncidentType, result.Value!),
                    Alerts = [],
                    Entities = [],
                    Exposure = OwnerExposure.All,
                    EventUniqueId = Guid.NewGuid().ToString(),
                    SampleName = "",
                };
                _incidents[name] = entry;
                return Outcome<Incident>.Ok(entry.Incident, StatusCodes.Status201Created);
            }
            entry.Incident = entry.Incident with { Etag = NewEtag(), Properties = result.Value! };
            return Outcome<Incident>.Ok(entry.Incident);
        }
    }

    internal bool DeleteIncident(string name)
    {
        lock (_gate)
        {
            return _incidents.Remove(name);
        }
    }

    /// <summary>Comment PUT is idempotent per id: 201 the first time, 200 with the same comment afterwards.</summary>
    internal Outcome<IncidentComment> WriteComment(string incidentName, string commentId, string message, ClaimsPrincipal caller)
    {
        lock (_gate)
        {
            if (_incidents.GetValueOrDefault(incidentName) is not { } entry)
            {
                return Outcome<IncidentComment>.Fail(StatusCodes.Status404NotFound, "NotFound", $"Incident '{incidentName}' was not found.");
            }
            var now = _context.UtcNow;
            var index = entry.Comments.FindIndex(c => string.Equals(c.Name, commentId, StringComparison.OrdinalIgnoreCase));
            if (index >= 0)
            {
                var existing = entry.Comments[index];
                if (!string.Equals(existing.Properties.Message, message, StringComparison.Ordinal))
                {
                    existing = existing with
                    {
                        Etag = NewEtag(),
                        Properties = existing.Properties with { Message = message, LastModifiedTimeUtc = now },
                    };
                    entry.Comments[index] = existing;
                }
                return Outcome<IncidentComment>.Ok(existing);
            }

            var comment = new IncidentComment(
                $"{entry.Incident.Id}/Comments/{commentId}",
                commentId,
                NewEtag(),
                "Microsoft.SecurityInsights/Incidents/Comments",
                new IncidentCommentProperties(message, now, now, IncidentWrites.AuthorOf(caller)));
            entry.Comments.Add(comment);
            var p = entry.Incident.Properties;
            entry.Incident = entry.Incident with
            {
                Properties = p with { AdditionalData = p.AdditionalData with { CommentsCount = entry.Comments.Count } },
            };
            return Outcome<IncidentComment>.Ok(comment, StatusCodes.Status201Created);
        }
    }

    /// <summary>Owner rows for the Log Analytics owner query: devices of the alert, optionally one device by name.</summary>
    internal IReadOnlyList<DeviceOwnerRow> OwnerRows(string systemAlertId, string? deviceName)
    {
        lock (_gate)
        {
            var entry = _incidents.Values.FirstOrDefault(e => e.Alerts.Any(a => string.Equals(a.Properties.SystemAlertId, systemAlertId, StringComparison.OrdinalIgnoreCase)));
            if (entry is null)
            {
                return [];
            }
            return [.. entry.Entities
                .Where(e => e.Kind == "IoTDevice")
                .Select(e => e.Properties)
                .Where(p => deviceName is null || string.Equals((string?)p["deviceName"], deviceName, StringComparison.Ordinal))
                .Select(p => new DeviceOwnerRow(
                    (string?)p["deviceName"] ?? "",
                    entry.Exposure.HasFlag(OwnerExposure.LogAnalytics) ? [.. (p["owners"]?.AsArray() ?? []).Select(o => (string?)o ?? "")] : null,
                    (string?)p["sensor"],
                    (string?)p["site"],
                    (string?)p["zone"]))];
        }
    }

    // ---------- Directory and mail ----------

    public IReadOnlyList<DirectoryUser> Users
    {
        get
        {
            lock (_gate)
            {
                return [.. _users];
            }
        }
    }

    public IReadOnlyList<string> Domains => Catalog.Directory.Domains;

    /// <summary>A user by object id or UPN, as Graph <c>/users/{id-or-upn}</c> resolves it.</summary>
    public DirectoryUser? FindUser(string idOrUpn)
    {
        lock (_gate)
        {
            return FindUserUnlocked(idOrUpn);
        }
    }

    /// <summary>Adds a user or replaces the one with the same id or UPN.</summary>
    public DirectoryUser UpsertUser(DirectoryUser user)
    {
        ArgumentNullException.ThrowIfNull(user);
        lock (_gate)
        {
            var index = _users.FindIndex(u => u.Matches(user.Id) || u.Matches(user.UserPrincipalName));
            if (index >= 0)
            {
                _users[index] = user;
            }
            else
            {
                _users.Add(user);
            }
            return user;
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
                : new MailboxView(address, !IsInternalAddress(address), [], []);
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
        lock (_gate)
        {
            var recipientCount = message.To.Count + message.Cc.Count + bcc.Count;
            var exchange = Limits.Limits.Exchange;
            if (exchange.Enabled && recipientCount > exchange.RecipientsPerMessage)
            {
                return Outcome<MailMessage>.Fail(StatusCodes.Status400BadRequest, "ErrorExceededMaxRecipientLimit",
                    $"The message has {recipientCount} recipients; a message may have at most {exchange.RecipientsPerMessage}.");
            }
            var targets = new List<(string Address, bool External)>();
            foreach (var recipient in message.To.Concat(message.Cc).Concat(bcc))
            {
                // Exchange delivers at any of a user's SMTP addresses (primary or alias); a UPN is not an address unless
                // it is also one of them.
                var user = _users.FirstOrDefault(u => u.ReceivesMailAt(recipient.Address));
                if (user is { Mail: { } mail })
                {
                    targets.Add((mail, false));
                }
                else if (user is not null || IsInternalAddress(recipient.Address))
                {
                    return Outcome<MailMessage>.Fail(StatusCodes.Status400BadRequest, "ErrorInvalidRecipients",
                        $"At least one recipient isn't valid., Recipient '{recipient.Address}' isn't resolved. All recipients must be resolved before a message can be submitted.");
                }
                else
                {
                    targets.Add((recipient.Address, true));
                }
            }

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
        var exchange = Limits.Limits.Exchange;
        var used = m.Recipients.Used(now);
        return new SendingBudget(m.Address, m.Submitted, m.Refused, m.Outbox.Count, (int)m.SentLastMinute(now), exchange.MessagesPerMinute,
            used, Math.Max(0, exchange.RecipientsPerDay - used), used >= exchange.RecipientsPerDay, m.Outbox.Count > 0 ? m.Outbox[^1].ReleaseAt.UtcDateTime : null);
    }

    // ---------- Journal ----------

    /// <summary>Requests the emulator answered (admin calls excluded), oldest first, optionally filtered by path.</summary>
    public IReadOnlyList<JournalEntry> Requests(string? pathContains = null)
    {
        lock (_gate)
        {
            return [.. _journal.Where(j => pathContains is null || j.Path.Contains(pathContains, StringComparison.OrdinalIgnoreCase))];
        }
    }

    public void ClearRequests()
    {
        lock (_gate)
        {
            _journal.Clear();
        }
    }

    internal void Record(string method, string path, int status, string? body, string? faultId)
    {
        lock (_gate)
        {
            _journal.Add(new JournalEntry(++_sequence, _context.UtcNow, method, path, status, body, faultId));
        }
    }

    // ---------- Faults ----------

    public FaultRule AddFault(FaultSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        lock (_gate)
        {
            var entry = new FaultEntry($"fault-{++_faultId}", spec) { Remaining = spec.Times };
            _faults.Add(entry);
            return entry.Snapshot();
        }
    }

    public IReadOnlyList<FaultRule> Faults
    {
        get
        {
            lock (_gate)
            {
                return [.. _faults.Select(f => f.Snapshot())];
            }
        }
    }

    public void ClearFaults()
    {
        lock (_gate)
        {
            _faults.Clear();
        }
    }

    /// <summary>Consumes one firing of the first matching rule that has firings left.</summary>
    internal FaultRule? TakeFault(HttpRequest request)
    {
        lock (_gate)
        {
            var rule = _faults.FirstOrDefault(f => f.Remaining > 0 && f.Spec.Matches(request)
                                                   && (f.Spec.Probability is not { } p || Random.Shared.NextDouble() < p));
            if (rule is null)
            {
                return null;
            }
            rule.Remaining--;
            rule.Hits++;
            return rule.Snapshot();
        }
    }

    // ---------- helpers (call under the lock) ----------

    private DirectoryUser? FindUserUnlocked(string idOrUpn) => _users.FirstOrDefault(u => u.Matches(idOrUpn));

    private bool IsInternalAddress(string address)
    {
        var at = address.LastIndexOf('@');
        return at >= 0 && Catalog.Directory.Domains.Contains(address[(at + 1)..], StringComparer.OrdinalIgnoreCase);
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

    private IncidentProperties NewIncidentProperties(string incidentId, DateTime now)
    {
        var number = ++_incidentNumber;
        return new IncidentProperties
        {
            Title = "",
            Severity = "Medium",
            Status = "New",
            CreatedTimeUtc = now,
            LastModifiedTimeUtc = now,
            IncidentNumber = number,
            IncidentUrl = $"https://portal.azure.com/#asset/Microsoft_Azure_Security_Insights/Incident{incidentId}",
            ProviderIncidentId = number.ToString(System.Globalization.CultureInfo.InvariantCulture),
            AdditionalData = new IncidentAdditionalData(0, 0, 0, [], [], []),
        };
    }

    private static string NewEtag() => $"\"{Guid.NewGuid()}\"";

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
        public Limits.SlidingWindow Recipients { get; } = new(TimeSpan.FromHours(24));

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

    private sealed class FaultEntry(string id, FaultSpec spec)
    {
        public string Id { get; } = id;
        public FaultSpec Spec { get; } = spec;
        public int Remaining { get; set; }
        public int Hits { get; set; }

        public FaultRule Snapshot() => new(Id, Spec, Remaining, Hits);
    }
}

/// <summary><c>POST /admin/incidents</c> body.</summary>
public sealed record RaiseIncidentRequest
{
    public string? Sample { get; init; }
    public string? Title { get; init; }
    public string? Severity { get; init; }

    /// <summary>Sources that reveal owners: <c>payload</c>, <c>entitiesApi</c>, <c>logAnalytics</c>. Null = all three.</summary>
    public IReadOnlyList<string>? OwnerExposure { get; init; }

    /// <summary>Per-index overrides of the sample's devices (null fields keep the sample value); extra entries add devices.</summary>
    public IReadOnlyList<DeviceSample>? Devices { get; init; }
}

public sealed record RaisedIncident(Incident Incident, TriggerPayload TriggerPayload);

/// <summary>Everything about one incident, unfiltered (entities include owners whatever the exposure).</summary>
public sealed record IncidentDetails(
    Incident Incident,
    string Sample,
    IReadOnlyList<string> OwnerExposure,
    IReadOnlyList<IncidentComment> Comments,
    IReadOnlyList<SecurityAlert> Alerts,
    IReadOnlyList<EntityResource> Entities);

/// <summary>One row of the owner query; <see cref="Owners"/> null when the incident hides owners from Log Analytics.</summary>
internal sealed record DeviceOwnerRow(string DeviceName, IReadOnlyList<string>? Owners, string? Sensor, string? Site, string? Zone);
