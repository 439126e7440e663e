// A driver is bound to the ports of one DUT interface and is stepped by
// SimCtrl once per clock cycle:
//   pre_edge():  just before the rising edge; sees the values the DUT and the
//                driver present in this cycle, records handshakes, advances
//                its own state.
//   post_edge(): just after the rising edge; drives the values the driver
//                presents in the next cycle.
#pragma once

namespace sta::tb {

class Driver {
 public:
  virtual ~Driver() = default;
  virtual void reset() = 0;  // back to the idle state; drives idle outputs
  virtual void pre_edge() = 0;
  virtual void post_edge() = 0;
};

}  // namespace sta::tb
