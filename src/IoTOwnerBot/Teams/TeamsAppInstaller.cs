using IoTOwnerBot.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Graph;
using Microsoft.Graph.Models;
using Microsoft.Graph.Models.ODataErrors;

namespace IoTOwnerBot.Teams;

/// <summary>
/// Installs the bot's Teams app for an owner through Graph (<c>users/{id}/teamwork/installedApps</c>, application
/// permission TeamsAppInstallation.ReadWriteSelfForUser.All), so the bot can start a 1:1 chat with someone who never
/// talked to it. Idempotent: an existing installation (or a 409) counts as installed.
/// </summary>
public sealed class TeamsAppInstaller(GraphServiceClient graph, IOptionsMonitor<BotOptions> bot, IOptions<CloudOptions> cloud)
{
    /// <summary>True when this call installed the app; false when it already was installed.</summary>
    public async Task<bool> EnsureInstalledAsync(string userObjectId, CancellationToken ct)
    {
        var appId = bot.CurrentValue.TeamsAppId
            ?? throw new TeamsInstallException("the Teams app is not installed for them and Bot:TeamsAppId is not configured, so it cannot be installed");
        try
        {
            var installed = await graph.Users[userObjectId].Teamwork.InstalledApps.GetAsync(r =>
            {
                r.QueryParameters.Expand = ["teamsApp"];
                r.QueryParameters.Filter = $"teamsApp/id eq '{appId}'";
            }, ct);
            if (installed?.Value is { Count: > 0 }) return false;

            await graph.Users[userObjectId].Teamwork.InstalledApps.PostAsync(new UserScopeTeamsAppInstallation
            {
                AdditionalData = new Dictionary<string, object>
                {
                    ["teamsApp@odata.bind"] = $"{cloud.Value.GraphEndpoint.TrimEnd('/')}/v1.0/appCatalogs/teamsApps/{appId}",
                },
            }, cancellationToken: ct);
            return true;
        }
        catch (ODataError error) when (error.ResponseStatusCode == 409)
        {
            return false;
        }
        catch (ODataError error) when (error.ResponseStatusCode is 403 or 404)
        {
            throw new TeamsInstallException($"Graph refused to install the Teams app ({error.ResponseStatusCode} {error.Error?.Code}: {error.Error?.Message})");
        }
    }
}
