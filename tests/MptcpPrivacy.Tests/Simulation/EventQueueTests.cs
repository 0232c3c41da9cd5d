using MptcpPrivacy.Simulation;

namespace MptcpPrivacy.Tests.Simulation;

/// <summary>The event queue runs events in (time, order scheduled) whether they sit in lanes or in the heap.</summary>
public class EventQueueTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Events_come_out_by_time_then_by_order_scheduled_with_lanes_mixed_in(int seed)
    {
        // The same operations on a sorted set of (time, order) are the reference.
        var random = new Random(seed);
        var queue = new EventQueue();
        EventQueue.Lane[] lanes = [new(), new(), new()];
        var target = new Recorder();
        var reference = new SortedSet<(long Time, long Order)>();
        long now = 0;
        for (long order = 0; order < 5000;)
        {
            if (reference.Count > 0 && random.Next(3) == 0)
            {
                EventQueue.Event e = queue.Dequeue();
                Assert.True(reference.Min == (e.Time, e.Argument), $"seed {seed}: got ({e.Time}, {e.Argument}), expected {reference.Min}");
                reference.Remove(reference.Min);
                now = e.Time;
                continue;
            }

            // Mostly in time order per lane, sometimes earlier than the lane's last (jitter), often equal times.
            long time = now + (random.Next(0, 4) * 10);
            int lane = random.Next(-1, lanes.Length);
            queue.Schedule(time, target, 0, null, order, lane < 0 ? null : lanes[lane]);
            reference.Add((time, order++));
        }

        while (reference.Count > 0)
        {
            EventQueue.Event e = queue.Dequeue();
            Assert.True(reference.Min == (e.Time, e.Argument), $"seed {seed}: got ({e.Time}, {e.Argument}), expected {reference.Min}");
            reference.Remove(reference.Min);
        }

        Assert.False(queue.TryPeekTime(out _));
    }

    [Fact]
    public void A_lane_event_earlier_than_the_lanes_last_still_runs_first()
    {
        var queue = new EventQueue();
        var lane = new EventQueue.Lane();
        var target = new Recorder();
        queue.Schedule(100, target, 0, null, 1, lane);
        queue.Schedule(300, target, 0, null, 2, lane);
        queue.Schedule(200, target, 0, null, 3, lane);
        queue.Schedule(300, target, 0, null, 4);
        queue.Schedule(100, target, 0, null, 5, lane);
        var order = new List<long>();
        while (queue.HeapCount > 0)
        {
            order.Add(queue.Dequeue().Argument);
        }

        Assert.Equal([1, 5, 3, 2, 4], order);
    }

    private sealed class Recorder : IEventTarget
    {
        public void Fire(long time, int kind, object? state, long argument)
        {
        }
    }
}
