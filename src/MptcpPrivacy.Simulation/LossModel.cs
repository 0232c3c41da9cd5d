namespace MptcpPrivacy.Simulation;

/// <summary>A packet loss process; each link direction runs its own copy of the state.</summary>
public abstract record LossModel
{
    private protected LossModel()
    {
    }
}

/// <summary>Independent loss: every packet is lost with the same probability.</summary>
/// <param name="Probability">The loss probability, 0 to 1.</param>
public sealed record BernoulliLoss(double Probability) : LossModel;

/// <summary>
/// Bursty loss by the Gilbert-Elliott two-state Markov chain: the channel moves between a good and a
/// bad state before each packet, and loses it with the current state's probability.
/// </summary>
/// <param name="GoodToBad">The probability of moving from good to bad before a packet.</param>
/// <param name="BadToGood">The probability of moving from bad to good before a packet.</param>
/// <param name="LossInGood">The loss probability in the good state (often 0).</param>
/// <param name="LossInBad">The loss probability in the bad state (often 1).</param>
public sealed record GilbertElliottLoss(double GoodToBad, double BadToGood, double LossInGood = 0, double LossInBad = 1) : LossModel;
