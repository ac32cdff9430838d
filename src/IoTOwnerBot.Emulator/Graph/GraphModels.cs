namespace IoTOwnerBot.Emulator.Graph;

// Graph sendMail request body (https://learn.microsoft.com/graph/api/user-sendmail).

public sealed record SendMailRequest(GraphMessage? Message, bool? SaveToSentItems);

public sealed record GraphMessage
{
    public string? Subject { get; init; }
    public GraphItemBody? Body { get; init; }
    public IReadOnlyList<GraphRecipient>? ToRecipients { get; init; }
    public IReadOnlyList<GraphRecipient>? CcRecipients { get; init; }
    public IReadOnlyList<GraphRecipient>? BccRecipients { get; init; }
    public IReadOnlyList<GraphHeader>? InternetMessageHeaders { get; init; }
    public string? Importance { get; init; }
}

public sealed record GraphItemBody(string? ContentType, string? Content);

public sealed record GraphRecipient(GraphEmailAddress? EmailAddress);

public sealed record GraphEmailAddress(string? Address, string? Name);

public sealed record GraphHeader(string? Name, string? Value);
