using System.Security.Claims;

using IoTOwnerBot.Emulator.Hosting;
using IoTOwnerBot.Emulator.Tenant;

namespace IoTOwnerBot.Emulator.Sentinel;

/// <summary>Sentinel's rules for an incident PUT (reference/sentinel.md §3.3-3.5), as a pure function.</summary>
internal static class IncidentWrites
{
    private static readonly string[] Severities = ["High", "Medium", "Low", "Informational"];
    private static readonly string[] Statuses = ["New", "Active", "Closed"];
    private static readonly string[] Classifications = ["Undetermined", "TruePositive", "BenignPositive", "FalsePositive"];
    private static readonly string[] Reasons = ["SuspiciousActivity", "SuspiciousButExpected", "IncorrectAlertLogic", "InaccurateData"];

    public const int MaxCommentLength = 30000;

    /// <summary>Validates <paramref name="request"/> and produces the incident after the write (etag not yet checked).</summary>
    public static Outcome<IncidentProperties> Apply(
        IncidentProperties current,
        IncidentWriteRequest request,
        Func<string, DirectoryUser?> findUser,
        DateTime now)
    {
        if (request.Properties is not { } w)
        {
            return Bad("'Properties' must have a non-empty value");
        }
        if (string.IsNullOrWhiteSpace(w.Title))
        {
            return Bad("'Title' must have a non-empty value");
        }
        if (!TryCanonical(w.Severity, Severities, "Severity", out var severity, out var error)
            || !TryCanonical(w.Status, Statuses, "Status", out var status, out error))
        {
            return Bad(error!);
        }
        string? classification = null, reason = null;
        if (w.Classification is not null && !TryCanonical(w.Classification, Classifications, "Classification", out classification, out error))
        {
            return Bad(error!);
        }
        if (w.ClassificationReason is not null && !TryCanonical(w.ClassificationReason, Reasons, "ClassificationReason", out reason, out error))
        {
            return Bad(error!);
        }
        if (classification is not null and not "Undetermined" && reason is null)
        {
            return Bad($"classification '{classification}' must have classificationReason.");
        }
        if (status == "Closed" && classification is null)
        {
            return Bad("Incident with status 'Closed' must have a classification.");
        }
        if (w.Labels?.FirstOrDefault(l => string.IsNullOrWhiteSpace(l.LabelName)) is not null)
        {
            return Bad("'LabelName' must have a non-empty value");
        }

        // labelType is read-only: labels Sentinel assigned keep their type, anything the caller sends is a User label.
        var labels = (w.Labels ?? [])
            .DistinctBy(l => l.LabelName, StringComparer.OrdinalIgnoreCase)
            .Select(l => current.Labels.FirstOrDefault(c => string.Equals(c.LabelName, l.LabelName, StringComparison.OrdinalIgnoreCase)) is { LabelType: "AutoAssigned" } auto
                ? auto
                : new IncidentLabel(l.LabelName, "User"))
            .ToList();

        return Outcome<IncidentProperties>.Ok(current with
        {
            Title = w.Title,
            Description = w.Description,
            Severity = severity!,
            Status = status!,
            Classification = classification,
            ClassificationReason = reason,
            ClassificationComment = w.ClassificationComment,
            Owner = ResolveOwner(w.Owner, findUser),
            Labels = labels,
            FirstActivityTimeUtc = w.FirstActivityTimeUtc ?? current.FirstActivityTimeUtc,
            LastActivityTimeUtc = w.LastActivityTimeUtc ?? current.LastActivityTimeUtc,
            LastModifiedTimeUtc = now,
        });
    }

    public static string? ValidateComment(CommentWriteRequest? request) =>
        string.IsNullOrWhiteSpace(request?.Properties?.Message) ? "'Message' must have a non-empty value"
        : request.Properties.Message.Length > MaxCommentLength ? $"'Message' must be {MaxCommentLength} characters or fewer."
        : null;

    /// <summary>The comment author Sentinel shows: the calling identity from the bearer token.</summary>
    public static CommentAuthor AuthorOf(ClaimsPrincipal caller)
    {
        string? Claim(string type) => caller.FindFirst(type)?.Value;
        var upn = Claim("upn") ?? Claim("preferred_username");
        return new CommentAuthor(Claim("oid"), upn, upn, Claim("name") ?? Claim("appid") ?? Claim("azp"));
    }

    private static IncidentOwner ResolveOwner(IncidentOwnerWrite? owner, Func<string, DirectoryUser?> findUser)
    {
        if (owner is null)
        {
            return IncidentOwner.Unassigned;
        }
        // Sentinel expands a known objectId. Whether it resolves an owner given only by e-mail is unverified,
        // so the emulator keeps such an owner exactly as sent.
        if (owner.ObjectId is { } objectId && findUser(objectId) is { } user)
        {
            return new IncidentOwner(user.Id, user.Mail ?? user.UserPrincipalName, user.DisplayName, user.UserPrincipalName, "User");
        }
        return new IncidentOwner(owner.ObjectId, owner.Email, owner.AssignedTo, owner.UserPrincipalName, owner.OwnerType ?? "Unknown");
    }

    private static bool TryCanonical(string? value, string[] allowed, string field, out string? canonical, out string? error)
    {
        canonical = allowed.FirstOrDefault(a => string.Equals(a, value, StringComparison.OrdinalIgnoreCase));
        error = value is null ? $"'{field}' must have a non-empty value"
            : canonical is null ? $"{field} '{value}' is not valid. Allowed values: {string.Join(", ", allowed)}."
            : null;
        return error is null;
    }

    private static Outcome<IncidentProperties> Bad(string message) => Outcome<IncidentProperties>.Fail(StatusCodes.Status400BadRequest, "BadRequest", message);
}
