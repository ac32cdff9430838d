namespace IoTOwnerBot.Emulator.Hosting;

/// <summary>
/// The in-memory state of one emulated service. <c>POST /admin/reset</c> (and <see cref="EmulatorServer.Reset"/>)
/// returns every registered one to its fixture state.
/// </summary>
internal interface IResettable
{
    void Reset();
}
