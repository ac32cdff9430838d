namespace IoTOwnerBot.SocChannel;

/// <summary>Entra group membership for the SOC thread's actions (Graph <c>users/{id}/checkMemberGroups</c>).</summary>
public sealed class SocMembership(Func<Microsoft.Graph.GraphServiceClient> graph)
{
    public async Task<bool> IsMemberAsync(string objectId, string groupId, CancellationToken ct)
    {
        try
        {
            var response = await graph().Users[objectId].CheckMemberGroups.PostAsCheckMemberGroupsPostResponseAsync(
                new Microsoft.Graph.Users.Item.CheckMemberGroups.CheckMemberGroupsPostRequestBody { GroupIds = [groupId] }, cancellationToken: ct);
            return response?.Value?.Any(g => string.Equals(g, groupId, StringComparison.OrdinalIgnoreCase)) == true;
        }
        catch (Microsoft.Graph.Models.ODataErrors.ODataError error) when (error.ResponseStatusCode == 404)
        {
            return false;
        }
    }
}
