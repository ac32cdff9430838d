using Microsoft.Graph;
using Microsoft.Graph.Models;
using Microsoft.Graph.Users.Item.SendMail;

namespace IoTOwnerBot.Outlook;

/// <summary>
/// Graph mail for the Outlook channel: sends one message stamped with its delivery id, and finds out whether a message
/// with that id is already in the sender's Sent Items. Its HTTP client retries only 429 in place (the request was
/// refused, so nothing was sent); anything uncertain goes back to the durable job, which looks before sending again.
/// Every call holds one of the mailbox's Graph request slots (<see cref="MailboxGate"/>).
/// </summary>
public sealed class OutlookMailer(GraphServiceClient graph, MailboxGate gate)
{
    /// <summary>Internet header on every message: visible in message trace and headers, and what the emulator matches.</summary>
    public const string DeliveryHeader = "X-IoTOwnerBot-Delivery";

    /// <summary>The same id as a named MAPI property in our own namespace: what Graph can <c>$filter</c> Sent Items on.</summary>
    public const string DeliveryProperty = "String {6b0f3d52-52a1-4a8e-9d0c-1e7a4f3b9c21} Name IoTOwnerBotDelivery";

    public async Task SendAsync(string sender, OutgoingMail mail, Guid deliveryId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(mail);
        var id = deliveryId.ToString("D");
        using var slot = await gate.EnterAsync(sender, ct);
        await graph.Users[sender].SendMail.PostAsync(new SendMailPostRequestBody
        {
            Message = new Message
            {
                Subject = mail.Subject,
                Body = new ItemBody { ContentType = BodyType.Html, Content = mail.Html },
                ToRecipients = [new Recipient { EmailAddress = new EmailAddress { Address = mail.To, Name = mail.ToName } }],
                InternetMessageHeaders = [new InternetMessageHeader { Name = DeliveryHeader, Value = id }],
                SingleValueExtendedProperties = [new SingleValueLegacyExtendedProperty { Id = DeliveryProperty, Value = id }],
            },
            SaveToSentItems = true,
        }, cancellationToken: ct);
    }

    /// <summary>
    /// True when the message of this delivery was submitted: it is in the sender's Sent Items, or still in its Outbox
    /// (Exchange holds messages over the mailbox's message rate there and sends them in the following minutes).
    /// </summary>
    public async Task<bool> WasSentAsync(string sender, Guid deliveryId, CancellationToken ct) =>
        await InFolderAsync(sender, "sentitems", deliveryId, ct) || await InFolderAsync(sender, "outbox", deliveryId, ct);

    private async Task<bool> InFolderAsync(string sender, string folder, Guid deliveryId, CancellationToken ct)
    {
        var id = deliveryId.ToString("D");
        using var slot = await gate.EnterAsync(sender, ct);
        var page = await graph.Users[sender].MailFolders[folder].Messages.GetAsync(r =>
        {
            r.QueryParameters.Filter = $"singleValueExtendedProperties/any(ep: ep/id eq '{DeliveryProperty}' and ep/value eq '{id}')";
            r.QueryParameters.Expand = [$"singleValueExtendedProperties($filter=id eq '{DeliveryProperty}')"];
            r.QueryParameters.Select = ["id", "internetMessageId", "internetMessageHeaders"];
            r.QueryParameters.Top = 50;
        }, ct);
        return page?.Value?.Any(m =>
            m.SingleValueExtendedProperties?.Any(p => string.Equals(p.Value, id, StringComparison.OrdinalIgnoreCase)) == true ||
            m.InternetMessageHeaders?.Any(h => string.Equals(h.Name, DeliveryHeader, StringComparison.OrdinalIgnoreCase)
                                               && string.Equals(h.Value, id, StringComparison.OrdinalIgnoreCase)) == true) == true;
    }
}
