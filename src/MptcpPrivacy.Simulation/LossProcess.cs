namespace MptcpPrivacy.Simulation;

/// <summary>The running state of a <see cref="LossModel"/> on one link direction.</summary>
internal sealed class LossProcess(LossModel? model)
{
    private bool _bad;

    /// <summary>Decides whether the next packet is lost, drawing from <paramref name="random"/>.</summary>
    public bool NextIsLost(Random random)
    {
        switch (model)
        {
            case BernoulliLoss bernoulli:
                return bernoulli.Probability > 0 && random.NextDouble() < bernoulli.Probability;
            case GilbertElliottLoss ge:
                _bad = _bad ? random.NextDouble() >= ge.BadToGood : random.NextDouble() < ge.GoodToBad;
                double p = _bad ? ge.LossInBad : ge.LossInGood;
                return p > 0 && random.NextDouble() < p;
            default:
                return false;
        }
    }
}
