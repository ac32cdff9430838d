using IoTOwnerBot.Sentinel;

namespace IoTOwnerBot.Questions;

public sealed record QuestionView(
    Guid Id, string IncidentId, string IncidentName, int? IncidentNumber, string IncidentTitle, int Round, string State,
    string? Answer, string? AnsweredBy, string? AnswerChannel, DateTimeOffset? AnsweredAt,
    DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt,
    IReadOnlyList<DeviceView> Devices, IReadOnlyList<RecipientView> Recipients, IReadOnlyList<TimelineView> Timeline)
{
    /// <param name="emailsWaiting">When each owner's waiting e-mail is due to go out (by mail address): its slot in the sender's budget.</param>
    public static QuestionView From(Question q, IReadOnlyDictionary<string, DateTimeOffset>? emailsWaiting = null) => new(
        q.Id, new IncidentRef(q.SubscriptionId, q.ResourceGroup, q.WorkspaceName, q.IncidentName).ArmId, q.IncidentName, q.IncidentNumber,
        q.IncidentTitle, q.Round, q.State.ToString(), q.Answer?.ToString(), q.AnsweredBy, q.AnswerChannel, q.AnsweredAt, q.CreatedAt, q.ExpiresAt,
        q.Devices.Select(d => new DeviceView(d.Name, d.DeviceType, d.DeviceSubType, d.Vendor, d.Model, d.IpAddress, d.MacAddress, d.Site, d.Zone, d.Sensor)).ToList(),
        q.Recipients.Select(r => new RecipientView(r.Address, r.DisplayName, r.Mail, r.ObjectId, r.Source.ToString(), r.FoundInDirectory, r.DeviceNames)
        {
            EmailDueAt = r.Mail is { } mail && emailsWaiting?.TryGetValue(mail, out var due) == true ? due : null,
        }).ToList(),
        q.Timeline.OrderBy(t => t.At).ThenBy(t => t.Id).Select(t => new TimelineView(t.At, t.Kind, t.Actor, t.Message)).ToList());
}
