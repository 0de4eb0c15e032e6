-- The demo's sample source database: a small shop with many column types,
-- a few hundred thousand rows, composite and missing keys, and a few values
-- PostgreSQL cannot hold as they are (zero dates), to show the rules.
DROP DATABASE IF EXISTS demo_shop;
CREATE DATABASE demo_shop CHARACTER SET utf8mb4;
USE demo_shop;

CREATE TABLE customers (
  id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(100) NOT NULL,
  email VARCHAR(120) NOT NULL,
  country CHAR(2) NOT NULL,
  active BIT(1) NOT NULL DEFAULT b'1',
  vip TINYINT(1) NOT NULL DEFAULT 0,
  birthday DATE,
  created_at DATETIME NOT NULL,
  updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  notes TEXT,
  prefs JSON,
  last_ip INET4,
  token UUID,
  UNIQUE KEY uq_email (email),
  KEY ix_country (country)
);

CREATE TABLE orders (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  customer_id INT UNSIGNED NOT NULL,
  status ENUM('new','paid','shipped','cancelled') NOT NULL,
  flags SET('gift','express','fragile') NOT NULL DEFAULT '',
  total DECIMAL(12,2) NOT NULL,
  discount FLOAT,
  placed_at DATETIME(3) NOT NULL,
  KEY ix_customer (customer_id),
  KEY ix_status_placed (status, placed_at)
);

CREATE TABLE order_lines (
  order_id BIGINT UNSIGNED NOT NULL,
  line_no SMALLINT UNSIGNED NOT NULL,
  sku VARCHAR(20) NOT NULL,
  qty MEDIUMINT UNSIGNED NOT NULL,
  unit_price DECIMAL(10,2) NOT NULL,
  weight_kg DOUBLE,
  PRIMARY KEY (order_id, line_no)
);

CREATE TABLE stores (
  code VARCHAR(8) NOT NULL PRIMARY KEY,
  city VARCHAR(60) NOT NULL,
  location POINT NOT NULL,
  opens TIME NOT NULL,
  since YEAR NOT NULL,
  logo BLOB,
  SPATIAL KEY sp_location (location)
);

CREATE TABLE page_views (
  ts DATETIME(6) NOT NULL,
  path VARCHAR(200) NOT NULL,
  ms MEDIUMINT UNSIGNED NOT NULL,
  agent VARBINARY(64),
  KEY ix_ts (ts)
);

SET sql_mode = '';
INSERT INTO customers (name, email, country, active, vip, birthday, created_at, updated_at, notes, prefs, last_ip, token)
SELECT CONCAT('Customer ', seq), CONCAT('c', seq, '@example.com'), ELT(1 + seq % 5, 'GB', 'DE', 'US', 'FR', 'NL'),
       seq % 9 <> 0, seq % 20 = 0,
       IF(seq % 1000 = 0, '0000-00-00', '1950-01-01' + INTERVAL (seq % 20000) DAY),
       '2018-01-01' + INTERVAL seq MINUTE, '2023-01-01' + INTERVAL seq SECOND,
       IF(seq % 3 = 0, NULL, CONCAT('likes tabs\tand "quotes" ', seq)),
       IF(seq % 4 = 0, NULL, CONCAT('{"newsletter": ', IF(seq % 2, 'true', 'false'), ', "lang": "en"}')),
       INET_NTOA(167772160 + seq), UUID()
FROM seq_1_to_50000;

INSERT INTO orders (customer_id, status, flags, total, discount, placed_at)
SELECT 1 + seq % 50000, ELT(1 + seq % 4, 'new', 'paid', 'shipped', 'cancelled'),
       ELT(1 + seq % 4, '', 'gift', 'express,fragile', 'gift,express'),
       (seq % 100000) / 100 + 1, IF(seq % 7 = 0, 0.15, NULL),
       '2020-01-01 00:00:00.000' + INTERVAL seq * 37 SECOND
FROM seq_1_to_200000;

INSERT INTO order_lines (order_id, line_no, sku, qty, unit_price, weight_kg)
SELECT 1 + seq DIV 2, 1 + seq % 2, CONCAT('SKU-', seq % 5000), 1 + seq % 9, (seq % 5000) / 10 + 0.5, (seq % 300) / 7
FROM seq_0_to_299999;

INSERT INTO stores (code, city, location, opens, since, logo)
SELECT CONCAT('S', LPAD(seq, 4, '0')), CONCAT('City ', seq), POINT(seq / 10, -seq / 20),
       SEC_TO_TIME(25200 + seq * 60), 1990 + seq % 30, IF(seq % 2, UNHEX(MD5(seq)), NULL)
FROM seq_1_to_200;

INSERT INTO page_views (ts, path, ms, agent)
SELECT '2024-01-01 00:00:00.000000' + INTERVAL (seq * 997013) MICROSECOND, CONCAT('/product/', seq % 2000), seq % 3000,
       IF(seq % 5 = 0, NULL, CONCAT('agent/', seq % 17))
FROM seq_1_to_150000;

ANALYZE TABLE customers, orders, order_lines, stores, page_views;
