/*
 * qgtm.h: the programs' umbrella over the public headers of lib/'s
 * folders, lowest layer first (STRUCTURE.md "Layers"). Library code never
 * includes it: a file in lib/FOLDER/ includes FOLDER/FOLDER.h, which
 * includes the lower folders it builds on.
 */
#ifndef QGTM_H
#define QGTM_H

#include "base/base.h"
#include "net/net.h"
#include "audit/audit.h"
#include "data/data.h"
#include "strategy/strategy.h"
#include "book/book.h"
#include "risk/risk.h"
#include "order/order.h"
#include "research/research.h"
#include "report/report.h"
#include "cli/cli.h"

#endif /* QGTM_H */
