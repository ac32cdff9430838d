namespace IoTOwnerBot.Digests;

public enum DeliveryPlanKind
{
    /// <summary>Digests are off: send the question on its own, as always.</summary>
    Off,
    /// <summary>The question is no longer open and was never claimed: nothing to send.</summary>
    NotOpen,
    /// <summary>Send the question on its own (claimed for this send).</summary>
    Alone,
    /// <summary>The question goes out in a digest, whose own work sends it.</summary>
    InDigest,
}
