namespace IoTOwnerBot.Tests.Infrastructure;

/// <summary>What an incident's comments must look like: one per event, never a repeat.</summary>
public static class CommentAssert
{
    /// <summary>Exactly one "whom the bot will ask" comment, and no comment twice; returns that first comment.</summary>
    public static string OneIntroAndNoDuplicates(IReadOnlyList<string> comments)
    {
        var repeated = comments.GroupBy(c => c, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.True(repeated.Count == 0, $"comments posted more than once: {string.Join(" || ", repeated)}");
        return Assert.Single(comments, c => c.StartsWith("IoTOwnerBot will ask", StringComparison.Ordinal)
                                            || c.StartsWith("IoTOwnerBot found no owner", StringComparison.Ordinal));
    }
}
