"""Gate.io spot venue of the simulator: state (venue), REST v4 (rest), WS v4 (ws), signature checks (auth)."""
