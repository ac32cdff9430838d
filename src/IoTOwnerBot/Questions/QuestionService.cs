using System.Globalization;
using System.Text;
using IoTOwnerBot.Jobs;
using IoTOwnerBot.Owners;
using IoTOwnerBot.Persistence;
using IoTOwnerBot.Sentinel;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace IoTOwnerBot.Questions;

/// <summary>
/// Owns questions: creating one per incident (exactly once, whoever asks), and scheduling an open question's
/// deadline, reminders, escalation and every channel's deliveries. Its events go on the <see cref="QuestionTimeline"/>.
/// </summary>
public sealed partial class QuestionService(
    BotDbContext db,
    TimeProvider time,
    WorkSignal signal,
    IOptionsMonitor<LifecycleOptions> lifecycle,
    IEnumerable<IQuestionDelivery> deliveries,
    QuestionTimeline timeline,
    ILogger<QuestionService> logger)
{
    public const string Actor = "IoTOwnerBot";

    public Task<Question?> FindByIncidentAsync(string incidentKey, CancellationToken ct) =>
        db.Questions.AsNoTracking()
            .Whole()
            .Where(q => q.IncidentKey == incidentKey)
            .OrderByDescending(q => q.Round)
            .FirstOrDefaultAsync(ct);

    /// <summary>Creates the first question of an incident; returns the existing one if another worker won.</summary>
    public async Task<Question> CreateAsync(IncidentRef incident, IncidentProperties snapshot, IReadOnlyList<DeviceFacts> devices,
        OwnerResolution resolution, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var question = new Question
        {
            Id = Guid.NewGuid(),
            IncidentKey = incident.Key,
            SubscriptionId = incident.SubscriptionId,
            ResourceGroup = incident.ResourceGroup,
            WorkspaceName = incident.WorkspaceName,
            IncidentName = incident.IncidentName,
            IncidentNumber = snapshot.IncidentNumber,
            IncidentTitle = snapshot.Title ?? "(untitled incident)",
            IncidentDescription = snapshot.Description,
            IncidentSeverity = snapshot.Severity ?? "Unknown",
            IncidentUrl = snapshot.IncidentUrl,
            IncidentCreatedAt = snapshot.CreatedTimeUtc,
            Devices = devices.Select(d => new QuestionDevice
            {
                Name = d.Name, DeviceId = d.DeviceId, DeviceType = d.DeviceType, DeviceSubType = d.DeviceSubType,
                Vendor = d.Vendor, Model = d.Model, FirmwareVersion = d.FirmwareVersion, IpAddress = d.IpAddress,
                MacAddress = d.MacAddress, Site = d.Site, Zone = d.Zone, Sensor = d.Sensor, Importance = d.Importance,
            }).ToList(),
            Recipients = resolution.Owners.Select(o => new Recipient
            {
                Address = o.Address, Source = o.Source, DeviceNames = o.DeviceNames.ToList(),
                FoundInDirectory = o.User is not null, ObjectId = o.User?.ObjectId, UserPrincipalName = o.User?.UserPrincipalName,
                // A directory user without mail has no mailbox; an address the directory does not know is still mailed.
                Mail = o.User is { } user ? user.Mail : o.Address.Contains('@', StringComparison.Ordinal) ? o.Address : null,
                DisplayName = o.User?.DisplayName, PreferredLanguage = o.User?.PreferredLanguage,
            }).ToList(),
        };
        question.Start(now);

        timeline.Record(question, TimelineKinds.Created, Actor, $"Question created for incident {incident.IncidentName}.", now);
        foreach (var step in resolution.Trail)
        {
            var message = step.Error is not null
                ? $"Owner source {step.Source} could not be read: {step.Error}"
                : step.DevicesAnswered.Count > 0
                    ? $"Owner source {step.Source} named owners for: {string.Join(", ", step.DevicesAnswered)}."
                    : $"Owner source {step.Source} named no owner.";
            timeline.Record(question, step.DevicesAnswered.Count > 0 ? TimelineKinds.OwnerSourceAnswered : TimelineKinds.OwnerSourceEmpty, Actor, message, now);
        }
        foreach (var r in question.Recipients.Where(r => !r.FoundInDirectory))
            timeline.Record(question, TimelineKinds.OwnerNotInDirectory, Actor, $"Owner {r.Address} was not found in the directory; they will be contacted at that address.", now);
        timeline.Record(question, question.State == QuestionState.NoOwner ? TimelineKinds.NoOwner : TimelineKinds.OwnersResolved, Actor,
            IntroComment(question, devices), now);

        if (question.IsOpen) Schedule(question, now);

        db.Questions.Add(question);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException ex) when (ex.IsUniqueViolation())
        {
            db.ChangeTracker.Clear();
            Log.LostRace(logger, incident.IncidentName);
            return await FindByIncidentAsync(incident.Key, ct)
                   ?? throw new InvalidOperationException($"Question for {incident.IncidentName} vanished after a unique violation.", ex);
        }
        signal.Notify();
        Log.Created(logger, question.Id, incident.IncidentName, question.Recipients.Count, question.State);
        return question;
    }

    /// <summary>
    /// Sets an open question's deadline and the durable work that ends it, and has every channel plan its deliveries;
    /// part of the caller's save.
    /// </summary>
    public void Schedule(Question question, DateTimeOffset now)
    {
        var policy = lifecycle.CurrentValue;
        var expiresAt = now + policy.ExpireAfter;
        question.ScheduleExpiry(expiresAt);
        db.Enqueue($"expire:{question.Id:D}", new ExpireWork(question.Id), expiresAt, question.Id);
        for (var n = 1; n <= policy.MaxReminders && now + policy.ReminderInterval * n < expiresAt; n++)
            db.Enqueue($"remind:{question.Id:D}:{n}", new RemindWork(question.Id, n), now + policy.ReminderInterval * n, question.Id);
        if (policy.EscalateAfter is { } after && now + after < expiresAt)
            db.Enqueue($"escalate:{question.Id:D}", new EscalateWork(question.Id), now + after, question.Id);
        foreach (var delivery in deliveries) delivery.Plan(question, now);
    }

    private static string IntroComment(Question q, IReadOnlyList<DeviceFacts> devices)
    {
        var sb = new StringBuilder();
        var deviceList = devices.Count == 0 ? "no IoT device entity" : string.Join(", ", devices.Select(d => Text(d.Name)));
        if (q.State == QuestionState.NoOwner)
        {
            sb.Append(CultureInfo.InvariantCulture, $"IoTOwnerBot found no owner for {deviceList}. ");
            sb.Append("Nobody will be asked whether this activity was expected: the SOC must handle this incident.");
            return sb.ToString();
        }
        sb.Append(CultureInfo.InvariantCulture, $"IoTOwnerBot will ask the device owner{(q.Recipients.Count > 1 ? "s" : "")} whether this activity was expected ({deviceList}):");
        foreach (var r in q.Recipients)
        {
            sb.Append(CultureInfo.InvariantCulture, $"\n- {Text(r.Display)}, named by {SourceName(r.Source)}");
            if (r.DeviceNames.Count > 0 && devices.Count > 1) sb.Append(CultureInfo.InvariantCulture, $" for {string.Join(", ", r.DeviceNames.Select(Text))}");
            if (!r.FoundInDirectory) sb.Append(" (not found in the directory)");
        }
        return sb.ToString();
    }

    public static string SourceName(OwnerSource source) => source switch
    {
        OwnerSource.Payload => "the IoT device entity in the incident",
        OwnerSource.EntitiesApi => "the incident's entities (Sentinel API)",
        OwnerSource.LogAnalytics => "the Defender for IoT alert in Log Analytics",
        OwnerSource.Directory => "IoTOwnerBot's device directory",
        OwnerSource.Fallback => "the configured fallback contact",
        OwnerSource.Escalation => "escalation (no answer in time)",
        _ => source.ToString(),
    };

    /// <summary>Values from incidents and the directory are untrusted; comments must show them as text.</summary>
    private static string Text(string value) =>
        value.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);

    private static partial class Log
    {
        [LoggerMessage(EventId = 1401, Level = LogLevel.Information, Message = "Question {QuestionId} created for incident {IncidentName}: {Recipients} recipient(s), state {State}")]
        public static partial void Created(ILogger logger, Guid questionId, string incidentName, int recipients, QuestionState state);

        [LoggerMessage(EventId = 1402, Level = LogLevel.Information, Message = "Question for incident {IncidentName} was created by another worker first")]
        public static partial void LostRace(ILogger logger, string incidentName);
    }
}
