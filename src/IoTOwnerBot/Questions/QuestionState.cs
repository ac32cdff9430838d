namespace IoTOwnerBot.Questions;

public enum QuestionState
{
    /// <summary>Owners are known; the question is being delivered or waits for an answer.</summary>
    Open,
    /// <summary>No owner could be found; the SOC must handle the incident.</summary>
    NoOwner,
    Answered,
    Expired,
    Cancelled,
}
