using IoTOwnerBot.Questions;

namespace IoTOwnerBot.Digests;

/// <summary>What a digest click did: per question, the answer path's status (only questions it tried to answer).</summary>
public sealed record DigestAnswerResult(DigestAnswerStatus Status, DigestView? View, IReadOnlyList<(Guid QuestionId, OwnerAnswer Answer, AnswerStatus Status)> Attempts)
{
    public int Recorded => Attempts.Count(a => a.Status == AnswerStatus.Recorded);
    public int AlreadyDecided => Attempts.Count(a => a.Status == AnswerStatus.AlreadyDecided);
}
