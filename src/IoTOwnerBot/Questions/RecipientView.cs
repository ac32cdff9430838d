namespace IoTOwnerBot.Questions;

public sealed record RecipientView(string Address, string? DisplayName, string? Mail, string? ObjectId, string Source, bool FoundInDirectory, IReadOnlyList<string> Devices)
{
    /// <summary>The owner's e-mail has not gone out yet: when it is due (after the digest window, at its slot in the sender's budget).</summary>
    public DateTimeOffset? EmailDueAt { get; init; }
}
