using Microsoft.EntityFrameworkCore;

namespace IoTOwnerBot.Questions;

/// <summary>The shapes in which a question is read from the store, so every reader loads what it shows the same way.</summary>
public static class QuestionShapes
{
    /// <summary>With its recipients (owners, managers, contacts): who may answer and whom to ask.</summary>
    public static IQueryable<Question> WithRecipients(this IQueryable<Question> questions) =>
        questions.Include(q => q.Recipients);

    /// <summary>With its recipients and devices: what every card and message of the question shows.</summary>
    public static IQueryable<Question> WithOwnersAndDevices(this IQueryable<Question> questions) =>
        questions.Include(q => q.Recipients).Include(q => q.Devices);

    /// <summary>Everything: recipients, devices and the timeline in the order it happened (the SOC's view).</summary>
    public static IQueryable<Question> Whole(this IQueryable<Question> questions) =>
        questions.WithOwnersAndDevices().Include(q => q.Timeline.OrderBy(t => t.Id));
}
