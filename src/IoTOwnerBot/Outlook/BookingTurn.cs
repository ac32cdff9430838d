namespace IoTOwnerBot.Outlook;

/// <summary>This instance's bookings on the pool, one at a time: only the instances compete for a turn, not every worker.</summary>
public sealed class BookingTurn : IDisposable
{
    private readonly SemaphoreSlim _turn = new(1, 1);

    public async Task<IDisposable> EnterAsync(CancellationToken ct)
    {
        await _turn.WaitAsync(ct);
        return new MailboxGate.Slot(_turn);
    }

    public void Dispose() => _turn.Dispose();
}
