namespace IoTOwnerBot.Tests.Infrastructure;

/// <summary>Names of the emulator's sample incidents the tests use.</summary>
public static class Samples
{
    public const string PlcProgramming = "plc-programming-mode";
    public const string TwoDevices = "controllogix-firmware-push";
    public const string NoOwner = "camera-without-owner";
    public const string NonIoT = "aad-unfamiliar-signin";
}
