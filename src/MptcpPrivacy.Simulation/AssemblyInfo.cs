namespace MptcpPrivacy.Simulation;
