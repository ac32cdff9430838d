using System.ComponentModel.DataAnnotations;
using IoTOwnerBot.Teams;
using Microsoft.Extensions.Options;

namespace IoTOwnerBot.SocChannel;

/// <summary>
/// The SOC's Teams channel thread (configuration section <c>SocThread</c>): one thread per incident in a channel of
/// a team the bot is installed in, and who may cancel or re-ask from its card.
/// </summary>
public sealed class SocThreadOptions
{
    public const string SectionName = "SocThread";

    public bool Enabled { get; set; }

    /// <summary>The team (its General channel id, <c>19:…@thread.tacv2</c>); shown in logs and checked on clicks.</summary>
    public string? TeamId { get; set; }

    /// <summary>
    /// The team's Microsoft 365 group id (a GUID; Teams admin center, or the team's "Get link"): how Graph names the team
    /// when the service reads the channel back after a post of unknown outcome (a thread root or a reply the Bot
    /// Connector may have taken before a crash or a timeout). Reading needs the resource-specific permission
    /// ChannelMessage.Read.Group, which the Teams app asks for when it is added to the team. Without it such a post
    /// is not repeated: a thread root is created again (the incident may show two threads) and a reply is left out
    /// (it is still on the root card's timeline and in the SOC API).
    /// </summary>
    public string? TeamGroupId { get; set; }

    /// <summary>The channel the threads are posted in (<c>19:…@thread.tacv2</c>).</summary>
    public string? ChannelId { get; set; }

    /// <summary>
    /// How long a thread creation that was never confirmed (its worker crashed, was stopped, or got no answer) belongs
    /// to that worker before another takes it over and looks for the root in the channel. At least a minute: a live
    /// worker's post takes at most the Bot Connector client's total timeout (30 s) before it records the thread.
    /// </summary>
    [Range(typeof(TimeSpan), "00:01:00", "01:00:00")]
    public TimeSpan CreationTakeOverAfter { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Bot Connector URL of the team's region; defaults to <c>Bot:ServiceUrl</c>.</summary>
    [Url] public string? ServiceUrl { get; set; }

    /// <summary>Entra object ids of the people who may cancel or re-ask from the thread's card.</summary>
    public List<string> Members { get; set; } = [];

    /// <summary>
    /// Optional Entra group (object id) whose members may also act; checked with Graph
    /// <c>users/{id}/checkMemberGroups</c> (needs <c>GroupMember.Read.All</c>).
    /// </summary>
    public string? MemberGroupId { get; set; }

    public string EffectiveServiceUrl(BotOptions bot) => ServiceUrl is { Length: > 0 } url ? url : bot.ServiceUrl;
}

internal sealed class SocThreadOptionsValidator : IValidateOptions<SocThreadOptions>
{
    public ValidateOptionsResult Validate(string? name, SocThreadOptions options)
    {
        if (!options.Enabled) return ValidateOptionsResult.Success;
        var failures = new List<string>();
        if (!IsThreadId(options.ChannelId))
            failures.Add("SocThread:ChannelId must be the channel's id (19:…@thread.tacv2) when SocThread:Enabled is true.");
        if (!IsThreadId(options.TeamId))
            failures.Add("SocThread:TeamId must be the team's id (19:…@thread.tacv2 of its General channel) when SocThread:Enabled is true.");
        if (options.TeamGroupId is { Length: > 0 } teamGroup && !Guid.TryParse(teamGroup, out _))
            failures.Add("SocThread:TeamGroupId must be the team's Microsoft 365 group id (a GUID).");
        if (options.Members.Any(m => !Guid.TryParse(m, out _)))
            failures.Add("SocThread:Members must be Entra object ids (GUIDs).");
        if (options.MemberGroupId is { Length: > 0 } group && !Guid.TryParse(group, out _))
            failures.Add("SocThread:MemberGroupId must be an Entra group object id (a GUID).");
        if (options.Members.Count == 0 && string.IsNullOrWhiteSpace(options.MemberGroupId))
            failures.Add("SocThread:Members (or SocThread:MemberGroupId) must name who may cancel or re-ask from the SOC thread.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool IsThreadId(string? id) =>
        id is { Length: > 4 } && id.StartsWith("19:", StringComparison.Ordinal) && id.Contains('@', StringComparison.Ordinal);
}
