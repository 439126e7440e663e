// Binds the Verilator-generated model named by STA_TB_MODEL to the Dut interface.
#include "tb/dut.h"

#include <verilated.h>
#include <verilated_fst_c.h>

#include STA_TB_MODEL_HEADER

namespace sta::tb {
namespace {

using Model = STA_TB_MODEL;

template <class T>
uint8_t* bytes_of(T& v) {
  return reinterpret_cast<uint8_t*>(&v);
}

class VerilatedDut final : public Dut {
 public:
  explicit VerilatedDut(VerilatedContext* ctx) : m_(std::make_unique<Model>(ctx, "TOP")) {
    Model& m = *m_;
    static_assert(sizeof(m.m_axi_rdata_i) == sizeof(m.m_axi_wdata_o), "bus widths differ");
    bus_bytes = sizeof(m.m_axi_rdata_i);
    top.clk = &m.clk_i;
    top.rst_n = &m.rst_ni;
    top.awaddr = &m.s_axil_awaddr_i;
    top.awvalid = &m.s_axil_awvalid_i;
    top.awready = &m.s_axil_awready_o;
    top.wdata = &m.s_axil_wdata_i;
    top.wstrb = &m.s_axil_wstrb_i;
    top.wvalid = &m.s_axil_wvalid_i;
    top.wready = &m.s_axil_wready_o;
    top.bresp = &m.s_axil_bresp_o;
    top.bvalid = &m.s_axil_bvalid_o;
    top.bready = &m.s_axil_bready_i;
    top.araddr = &m.s_axil_araddr_i;
    top.arvalid = &m.s_axil_arvalid_i;
    top.arready = &m.s_axil_arready_o;
    top.rdata = &m.s_axil_rdata_o;
    top.rresp = &m.s_axil_rresp_o;
    top.rvalid = &m.s_axil_rvalid_o;
    top.rready = &m.s_axil_rready_i;
    top.irq = &m.irq_o;

    axi.arid = &m.m_axi_arid_o;
    axi.araddr = &m.m_axi_araddr_o;
    axi.arlen = &m.m_axi_arlen_o;
    axi.arsize = &m.m_axi_arsize_o;
    axi.arburst = &m.m_axi_arburst_o;
    axi.arvalid = &m.m_axi_arvalid_o;
    axi.arready = &m.m_axi_arready_i;
    axi.rid = &m.m_axi_rid_i;
    axi.rdata = bytes_of(m.m_axi_rdata_i);
    axi.rresp = &m.m_axi_rresp_i;
    axi.rlast = &m.m_axi_rlast_i;
    axi.rvalid = &m.m_axi_rvalid_i;
    axi.rready = &m.m_axi_rready_o;
    axi.awid = &m.m_axi_awid_o;
    axi.awaddr = &m.m_axi_awaddr_o;
    axi.awlen = &m.m_axi_awlen_o;
    axi.awsize = &m.m_axi_awsize_o;
    axi.awburst = &m.m_axi_awburst_o;
    axi.awvalid = &m.m_axi_awvalid_o;
    axi.awready = &m.m_axi_awready_i;
    axi.wdata = bytes_of(m.m_axi_wdata_o);
    axi.wstrb = bytes_of(m.m_axi_wstrb_o);
    axi.wstrb_bytes = sizeof(m.m_axi_wstrb_o);
    axi.wlast = &m.m_axi_wlast_o;
    axi.wvalid = &m.m_axi_wvalid_o;
    axi.wready = &m.m_axi_wready_i;
    axi.bid = &m.m_axi_bid_i;
    axi.bresp = &m.m_axi_bresp_i;
    axi.bvalid = &m.m_axi_bvalid_i;
    axi.bready = &m.m_axi_bready_o;
  }
  ~VerilatedDut() override { trace_close(); }

  void eval() override { m_->eval(); }
  void final() override { m_->final(); }

  std::string trace_open(const std::string& path) override {
    trace_close();
    m_->contextp()->traceEverOn(true);
    fst_ = std::make_unique<VerilatedFstC>();
    m_->trace(fst_.get(), 99);
    fst_->open(path.c_str());
    if (!fst_->isOpen()) {
      fst_.reset();
      return "cannot open FST trace file '" + path + "'";
    }
    return "";
  }
  void trace_dump(uint64_t time) override {
    if (fst_) fst_->dump(time);
  }
  void trace_close() override {
    if (fst_) {
      fst_->close();
      fst_.reset();
    }
  }
  const char* model_name() const override { return m_->modelName(); }

 private:
  std::unique_ptr<Model> m_;
  std::unique_ptr<VerilatedFstC> fst_;
};

}  // namespace

std::unique_ptr<Dut> make_dut(VerilatedContext* ctx) { return std::make_unique<VerilatedDut>(ctx); }

}  // namespace sta::tb
