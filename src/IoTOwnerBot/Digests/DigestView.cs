using IoTOwnerBot.Questions;

namespace IoTOwnerBot.Digests;

/// <summary>A digest with its questions, in the order its card lists them.</summary>
public sealed record DigestView(Digest Digest, IReadOnlyList<Question> Questions)
{
    public int OpenCount => Questions.Count(q => q.IsOpen);

    /// <summary>The owner the digest was sent to, as a recipient of its questions (name, language, object id).</summary>
    public Recipient? Recipient => Questions.SelectMany(q => q.Recipients).FirstOrDefault(r =>
        string.Equals(r.ObjectId, Digest.RecipientKey, StringComparison.OrdinalIgnoreCase)
        || string.Equals(r.Mail, Digest.RecipientKey, StringComparison.OrdinalIgnoreCase));
}
